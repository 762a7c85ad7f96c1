"""Serializers of the packing slips API: a batch's progress, the print log, and a shipment number as input."""

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from rest_framework import serializers

from kits.models import PrintLog, SlipBatch, SlipBatchStatus


class SlipBatchSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(
        read_only=True, help_text="Progress from 0 to 100: slips drawn ÷ slips to draw."
    )
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the PDF once done; null before."
    )

    class Meta:
        model = SlipBatch
        fields = [
            "id",
            "status",
            "description",
            "page_size",
            "total",
            "done",
            "percent",
            "pages",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, batch: SlipBatch) -> str | None:
        if batch.status != SlipBatchStatus.DONE:
            return None
        return reverse("api:kit-slip-batch-file", args=[batch.pk])


class NumberField(serializers.CharField):
    """A shipment number: text no number can contain (NUL) makes it an unknown number, reported on
    `shipments` as a whole rather than as a per-item error the schema cannot name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class PrintLogSerializer(serializers.ModelSerializer):
    """One print of packing slips: who printed the slips of which kits, when, on which paper."""

    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        default=None,
        help_text="E-mail of the staff member who printed; null when the account is gone.",
    )
    shipments: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="number",
        many=True,
        read_only=True,
        help_text="Numbers of the kits whose slips were printed.",
    )

    class Meta:
        model = PrintLog
        fields = ["id", "at", "by", "page_size", "shipment_count", "batch", "shipments"]
        read_only_fields = fields
