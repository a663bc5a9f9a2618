from ninja import Router

router = Router(tags=["专项资金"])
