from ninja import Router

router = Router(tags=["统计报表"])
