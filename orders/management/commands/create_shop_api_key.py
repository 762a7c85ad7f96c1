from django.core.management.base import BaseCommand, CommandParser

from orders.models import ShopApiKey


class Command(BaseCommand):
    help = "Create an API key for the shop platform; the key is printed once (only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who uses the key, e.g. 'shop production'.")

    def handle(self, *args: object, **options: str) -> None:
        _, key = ShopApiKey.objects.create_key(name=options["name"])
        self.stdout.write(key)
