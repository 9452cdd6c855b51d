"""Lambda-style functions for order.asl.json: ``stepwell run ... --functions functions.py``."""

PRICES = {"tea": 4.5, "cake": 12.0, "jam": 6.25}


def validate_order(event, context):
    if not event.get("lines"):
        raise InvalidOrder("an order needs at least one line")
    unknown = [line["sku"] for line in event["lines"] if line["sku"] not in PRICES]
    if unknown:
        raise InvalidOrder(f"unknown products: {', '.join(unknown)}")
    return {"ok": True, "lines": len(event["lines"])}


def price_line(event, context):
    return {"sku": event["sku"], "total": PRICES[event["sku"]] * event["qty"]}


class InvalidOrder(Exception):
    pass
