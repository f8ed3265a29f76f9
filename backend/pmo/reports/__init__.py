"""Monthly highlight reports of projects, their review by the sponsor, and the programme
board's pack of the month's reports (issue 17 item 4)."""
