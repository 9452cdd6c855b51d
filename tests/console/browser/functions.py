"""Functions the browser tests' state machines call."""


def charge(event, context):
    if event.get("card") == "declined":
        raise CardDeclined(f"card {event['card']} was declined for {event.get('amount')}")
    return {"charged": event.get("amount")}


class CardDeclined(Exception):
    pass
