from ninja import Router

router = Router(tags=["补贴申领"])
