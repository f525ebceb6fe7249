"""The processes: task queue, periodic schedule, leases, the servers and their health."""
