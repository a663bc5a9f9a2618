from ninja import Router

router = Router(tags=["就业服务"])
