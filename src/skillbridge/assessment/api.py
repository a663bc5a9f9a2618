from ninja import Router

router = Router(tags=["鉴定申报"])
