"""What geo tells the layers above it. geo cannot import them (import-linter), so a table
derived from the tree by an upper app (the KPI facts' grain, reports.rollup) listens here.

`node_moved(sender=Node, node, old_path, new_path)`: sent by `services.node_move` inside its
transaction, after the tree and every `node_path` copy were rewritten; a receiver's writes
commit or roll back with the move.
"""

from django.dispatch import Signal

node_moved = Signal()
