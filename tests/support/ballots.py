"""The ballots tests add, exactly as an organiser types them."""

from __future__ import annotations

LEEDS = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions="Unison; Unite" '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)
"""An open strike ballot of two unions, with no opening date (announcement tests)."""

LEEDS_POSTAL = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike opens=2026-11-23 closes=2026-12-10 '
    "eligible=400 status=open method=postal"
)
"""An open postal ballot of one union, opened 23 Nov 2026 (reminder tests)."""

LEEDS_TYPED = (
    'admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)
"""An open strike ballot as typed after ``/ballot`` on Slack or Discord (adapter tests)."""
