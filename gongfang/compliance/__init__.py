"""Over-standard warnings (超标预警, DESIGN §4.4): rules R1–R9 as pure functions (``rules``) over
plain facts (``facts``, loaded by ``loader``), the engine and the warnings' life cycle
(``services``), incremental re-checks on every registry write (``receivers``), the full scan
(``manage.py compliance_scan``), the warning centre's pages and API, and the explanations shown
on room, person and organization pages (``selectors``)."""
