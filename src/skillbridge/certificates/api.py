from ninja import Router

router = Router(tags=["证书管理"])
