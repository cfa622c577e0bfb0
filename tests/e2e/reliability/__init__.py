"""Black-box reliability harness: a catalogue of bad-input and fault cases (numbered 1-69)
against a real Granian server on 127.0.0.1 serving ``app.py`` (every first-party plugin).

One module per catalogue section: ``test_a_framing`` (1-12), ``test_b_bodies`` (13-29),
``test_c_paths`` (30-34), ``test_d_auth`` (35-44), ``test_e_cors`` (45-49),
``test_f_ratelimit`` (50-54), ``test_g_orm`` (55-65), ``test_h_responses`` (66-69).
Tests are named ``test_caseNN_...``. Every error body goes through
``helpers.assert_clean_error`` (JSON ``{"detail": ...}``, no traceback, SQL, setting, token
or key); "no data changed" is ``helpers.db_state`` (row count and a hash per table).

Not applicable or not run (one line each, details in the module docstrings):
- 27: duplicate JSON keys are accepted, last one wins (documented msgspec behaviour).
- 53: 100k distinct rate-limit keys need 100k requests from distinct addresses (time budget).
- 60: ETags / If-Match are not supported, so there is no 412; ``qty += 1`` is an F() action.
- 62: deadlocks and serialization failures are PostgreSQL-only; SQLite's lock is tested.
"""
