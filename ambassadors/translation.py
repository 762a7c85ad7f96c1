"""Campaign texts a host or guest reads, kept in each language (see settings MODELTRANSLATION_*)."""

from modeltranslation.translator import TranslationOptions, register

from ambassadors.models import Campaign


@register(Campaign)
class CampaignTranslationOptions(TranslationOptions):
    fields = ("name", "description", "collection_name")
