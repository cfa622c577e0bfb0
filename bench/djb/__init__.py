"""The same endpoints on django-bolt's own server (needs Python >= 3.12 and a separate venv).

Optional: ``python bench/run.py --django-bolt-python /path/to/py312-venv/bin/python`` adds it to
the core and ORM sections; without that interpreter the app is left out.
"""
