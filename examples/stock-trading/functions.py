"""The stock-trading sample's functions (``--functions examples/stock-trading/functions.py``).

Prices are drawn at random, as in AWS's sample; ``{"price": N}`` in the execution input fixes one
(tests do). A price at or under 50 is a buy.
"""

import random
import uuid
from datetime import UTC, datetime


def check_stock_price(event, context):
    price = event.get("price") if isinstance(event, dict) else None
    return {"stock_price": price if price is not None else random.randint(1, 100)}


def generate_buy_sell_recommendation(event, context):
    price = event["stock_price"]
    return {"stock_price": price, "recommended_type": "buy" if price <= 50 else "sell"}


def _trade(event, kind):
    return {
        "id": str(uuid.uuid4()),
        "price": event["stock_price"],
        "type": kind,
        "qty": random.randint(1, 10),
        "timestamp": datetime.now(UTC).isoformat(),
    }


def buy_stock(event, context):
    return _trade(event, "buy")


def sell_stock(event, context):
    return _trade(event, "sell")
