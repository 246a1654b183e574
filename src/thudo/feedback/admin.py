"""Admin for the feedback app's data: categories, routing rules and the handling terms per level
(the city administrator keeps them; reports themselves change only through the actions)."""

from django.contrib import admin

from thudo.feedback.models import Category, LevelTerm, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "reopen_allowed", "is_active", "order")
    list_editable = ("reopen_allowed", "is_active", "order")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "commune", "unit")
    list_select_related = ("category", "commune", "unit")
    autocomplete_fields = ("commune", "unit")
    list_filter = ("category",)


@admin.register(LevelTerm)
class LevelTermAdmin(admin.ModelAdmin):
    list_display = ("level", "handle_hours", "confirmed", "source")
