"""Stage 6, screening: a new list in, before it enters the CRM: accept, already in the CRM, reject.

Takes a file dropped in `screening/` (a purchased list, a trade-fair scan, a webinar export: any
format the exports accept, column mappings included, a record id optional) and the latest stored
month: its normalized contacts, the suppression list. Gives `out/screening/<file>/accept.csv`
(new, valid people in the target CRM's import shape), `already-in-crm.csv` (with the CRM record
id to update instead) and `reject.csv` (every reason). `screen.screen_list` is the entry point.
"""
