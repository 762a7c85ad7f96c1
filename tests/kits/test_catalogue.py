from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kits.models import Item, Stock
from tests import factories

pytestmark = pytest.mark.django_db

COAT = {
    "sku": "AW26-COAT-NAVY-M",
    "name": "Wool coat",
    "colour": "Navy",
    "size": "M",
    "ean": "3601234567894",
    "unit_cost": "40.00",
    "retail_price": "129.00",
    "weight_grams": 1200,
    "bin_location": "A-01-3",
    "returnable": True,
}


def test_logistics_creates_a_sku_with_an_empty_stock(logistics_client):
    response = logistics_client.post("/api/v1/kits/items/", COAT)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sku"], body["unit_cost"], body["currency"]) == ("AW26-COAT-NAVY-M", "40.00", "EUR")
    assert (body["on_hand"], body["allocated"], body["available"]) == (0, 0, 0)
    assert Stock.objects.filter(item__sku="AW26-COAT-NAVY-M", on_hand=0).exists()


def test_input_cannot_set_stock(logistics_client):
    response = logistics_client.post("/api/v1/kits/items/", {**COAT, "on_hand": 500, "allocated": 3})
    assert response.status_code == 201
    assert Stock.objects.get(item__sku=COAT["sku"]).on_hand == 0


def test_a_duplicate_sku_answers_409(logistics_client):
    factories.ItemFactory(sku=COAT["sku"])
    response = logistics_client.post("/api/v1/kits/items/", COAT)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "duplicate_sku"
    assert Item.objects.filter(sku=COAT["sku"]).count() == 1


def test_a_duplicate_ean_answers_409(logistics_client):
    factories.ItemFactory(sku="OTHER", ean=COAT["ean"])
    response = logistics_client.post("/api/v1/kits/items/", COAT)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "duplicate_ean"
    assert not Item.objects.filter(sku=COAT["sku"]).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"sku": ""},
        {"sku": "has space"},
        {"sku": "X" * 41},
        {"name": ""},
        {"unit_cost": "-1.00"},
        {"retail_price": "12.345"},
        {"retail_price": "abc"},
        {"ean": "12345"},
        {"ean": "3601234567890"},  # EAN-13 with a wrong check digit
        {"ean": "96385075"},  # EAN-8, wrong check digit
        {"ean": "036000291453"},  # UPC-A, wrong check digit
        {"currency": "euro"},
        {"weight_grams": -5},
    ],
)
def test_bad_catalogue_input_answers_400_and_writes_nothing(logistics_client, change):
    response = logistics_client.post("/api/v1/kits/items/", {**COAT, **change})
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert not Item.objects.exists()


@pytest.mark.parametrize("ean", ["96385074", "036000291452", "4006381333931"])
def test_ean_8_upc_a_and_ean_13_with_their_check_digit_are_accepted(logistics_client, ean):
    response = logistics_client.post("/api/v1/kits/items/", {**COAT, "ean": ean})
    assert response.status_code == 201, response.json()
    assert Item.objects.get().ean == ean


def test_a_sku_that_differs_only_by_case_answers_409(logistics_client):
    factories.ItemFactory(sku=COAT["sku"])

    response = logistics_client.post("/api/v1/kits/items/", {**COAT, "sku": COAT["sku"].lower()})

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "duplicate_sku"
    assert Item.objects.count() == 1


def test_the_database_refuses_skus_that_differ_only_by_case(db):
    factories.ItemFactory(sku="AW26-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(sku="aw26-1", name="Pull", unit_cost=1, retail_price=2)


def test_patch_updates_the_catalogue_but_never_the_sku_or_the_stock(logistics_client):
    factories.ItemFactory(sku="AW26-1", retail_price=Decimal("10.00"))
    response = logistics_client.patch(
        "/api/v1/kits/items/AW26-1/", {"retail_price": "12.50", "active": False, "sku": "NEW", "on_hand": 9}
    )
    assert response.status_code == 200, response.json()
    item = Item.objects.get(sku="AW26-1")
    assert (item.retail_price, item.active) == (Decimal("12.50"), False)
    assert item.stock.on_hand == 0


def test_catalogue_list_is_filtered_and_its_query_count_is_constant(
    logistics_client, django_assert_max_num_queries
):
    for n in range(15):
        factories.ItemFactory(returnable=n % 3 != 0)
    with django_assert_max_num_queries(4):
        response = logistics_client.get("/api/v1/kits/items/?returnable=false&page_size=100")
    assert response.status_code == 200
    assert response.json()["total"] == 5
    assert all(row["returnable"] is False for row in response.json()["results"])


def test_catalogue_is_for_logistics(marketing_client, db):
    assert marketing_client.get("/api/v1/kits/items/").status_code == 403
    assert marketing_client.post("/api/v1/kits/items/", COAT).status_code == 403


def test_unknown_sku_answers_404(logistics_client, db):
    assert logistics_client.get("/api/v1/kits/items/NOPE/").status_code == 404


# --- CSV import ------------------------------------------------------------------------------

HEADER = "sku,name,colour,size,ean,unit_cost,retail_price,weight_grams,bin_location,returnable\n"


def _csv(tmp_path, body: str):
    path = tmp_path / "catalogue.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_csv_import_creates_and_updates_skus(tmp_path, capsys):
    factories.ItemFactory(sku="AW26-2", name="Old name")
    path = _csv(
        tmp_path,
        "AW26-1,Pull jacquard,Écru,L,3601234567894,18.00,69.90,450,B-02-1,yes\n"
        "AW26-2,Robe pull,Rouge,S,,15.50,59.90,400,B-02-2,yes\n"
        "PROMO-1,Catalogue booklet,,,,1.20,0,80,P-01-1,no\n",
    )
    call_command("import_catalogue", str(path))
    assert "created 2, updated 1, errors 0" in capsys.readouterr().out
    jacket = Item.objects.get(sku="AW26-1")
    assert (jacket.colour, jacket.unit_cost, jacket.weight_grams) == ("Écru", Decimal("18.00"), 450)
    assert Item.objects.get(sku="AW26-2").name == "Robe pull"
    assert Item.objects.get(sku="PROMO-1").returnable is False
    assert Stock.objects.count() == 3


def test_csv_import_dry_run_writes_nothing(tmp_path, capsys):
    path = _csv(tmp_path, "AW26-1,Pull,Écru,L,,18.00,69.90,450,B-02-1,yes\n")
    call_command("import_catalogue", str(path), "--dry-run")
    assert "would create 1" in capsys.readouterr().out
    assert not Item.objects.exists()


def test_csv_import_with_a_bad_row_imports_nothing_and_reports_each_error(tmp_path, capsys):
    path = _csv(
        tmp_path,
        "AW26-1,Pull,Écru,L,,18.00,69.90,450,B-02-1,yes\n"
        "AW26-2,,Rouge,S,123,-1,abc,heavy,B-02-2,maybe\n"
        "AW26-1,Pull again,Écru,L,,18.00,69.90,450,B-02-1,yes\n",
    )
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path))
    errors = capsys.readouterr().err
    for expected in (
        "row 3: name:",
        "row 3: ean",
        "row 3: unit_cost",
        "row 3: retail_price",
        "row 3: weight_grams",
        "row 3: returnable",
        "row 4: SKU AW26-1 already appears on row 2",
    ):
        assert expected in errors
    assert not Item.objects.exists()


def test_csv_import_refuses_a_file_without_the_required_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sku,label\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="name"):
        call_command("import_catalogue", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_catalogue", str(tmp_path / "missing.csv"))


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("AW 26,Pull,,,,1.00,2.00,,,yes", "sku"),  # a space: the API refuses it too
        ("AW26-1,Pull,,,3601234567890,1.00,2.00,,,yes", "ean"),  # wrong check digit
        ("AW26-1,Pull,,,,1.00,2.00,," + "B" * 31 + ",yes", "bin_location"),
        ("AW26-1," + "N" * 201 + ",,,,1.00,2.00,,,yes", "name"),
        ("AW26-1,Pull,,,,1.00,2.00,1.5,,yes", "weight_grams"),
    ],
)
def test_the_csv_import_refuses_what_the_api_refuses(tmp_path, capsys, logistics_client, row, field):
    # given the same values through the API
    values = dict(zip(HEADER.strip().split(","), row.split(","), strict=True))
    api_values = {name: value for name, value in values.items() if value}
    assert logistics_client.post("/api/v1/kits/items/", api_values).status_code == 400
    # when imported from a file
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(_csv(tmp_path, row + "\n")))
    # then the row is refused, on the same field
    assert f"row 2: {field}:" in capsys.readouterr().err
    assert not Item.objects.exists()


def test_the_csv_import_refuses_skus_that_differ_only_by_case(tmp_path, capsys):
    # given a SKU in the catalogue, and a file with two spellings of another one
    factories.ItemFactory(sku="AW26-1")
    path = _csv(
        tmp_path,
        "aw26-1,Pull,,,,1.00,2.00,,,yes\nAW26-2,Robe,,,,1.00,2.00,,,yes\naw26-2,Robe,,,,1.00,2.00,,,yes\n",
    )
    # when
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path))
    # then both clashes are named and nothing is written
    errors = capsys.readouterr().err
    assert "row 2: SKU aw26-1 already exists as AW26-1" in errors
    assert "row 4: SKU aw26-2 already appears on row 3" in errors
    assert list(Item.objects.values_list("sku", flat=True)) == ["AW26-1"]


def test_the_csv_import_reports_unknown_columns_instead_of_ignoring_them(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text("sku,name,color,unit_cost,retail_price\nAW26-1,Pull,Navy,1.00,2.00\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Unknown column.*'color'"):
        call_command("import_catalogue", str(path))

    assert not Item.objects.exists()


def test_the_csv_import_reports_cells_past_the_last_column(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(_csv(tmp_path, "AW26-1,Pull,,,,1.00,2.00,,,yes,extra\n")))

    assert "row 2: the row has more cells" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_case_insensitive_sku_migration_names_the_skus_to_rename_first():
    # given the catalogue as it was before the rule, with two spellings of one SKU
    executor = MigrationExecutor(connection)
    before, after = (
        [("kits", "0003_slip_batches_in_private_storage")],
        [("kits", "0004_item_sku_unique_ignoring_case")],
    )
    executor.migrate(before)
    OldItem = executor.loader.project_state(before).apps.get_model("kits", "Item")
    for sku in ("AW26-1", "aw26-1", "B-7"):
        OldItem.objects.create(sku=sku, name="Pull", unit_cost=1, retail_price=2)
    try:
        # when migrating, then it stops and names them, and the constraint is not half-made
        executor.loader.build_graph()
        with pytest.raises(RuntimeError, match="AW26-1 / aw26-1"):
            executor.migrate(after)
        # once renamed, it migrates
        OldItem.objects.filter(sku="aw26-1").update(sku="AW26-1-BIS")
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        OldItem.objects.all().delete()
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
