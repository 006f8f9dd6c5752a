"""居务会 pages: the calendar, a meeting, the agenda pool and its vetting, the task slips with
their completion reports and studies, 双公示, the meeting documents and the slips' export.
Views that read are named after their page (calendar, meeting, topics, slips); their POSTs are
in the matching *_actions module."""
