"""Reply deadlines (the marketplace SLA clock).

`policies` says how long a reply may take (Walmart 48 h, Amazon 24 h, BBB / Attorney General
complaints 1 h, custom business-hours policies); `calendar` does the working-time arithmetic;
`clock` turns a ticket's history into inquiries, deadlines and a state. All three are pure:
standard library only, so they are tested without Django and reused by reports and sweeps.
"""
