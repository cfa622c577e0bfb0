from django.contrib import admin

from catalog.models import Item

admin.site.register(Item)
