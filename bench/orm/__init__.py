"""The ORM section's Django project: one model, served by Bolt, django-ninja and DRF."""
