"""Catalogue names and colours a host reads on her kit page, kept in each language (see settings MODELTRANSLATION_*)."""

from modeltranslation.translator import TranslationOptions, register

from kits.models import Item


@register(Item)
class ItemTranslationOptions(TranslationOptions):
    fields = ("name", "colour")
