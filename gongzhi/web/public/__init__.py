"""Pages without login: the public board, 双公示, the closed-case list, the board of decisions,
the reporter's callback link and case tracking. Every text on them passes core.scrub.public_text."""
