"""全市视图: the city dashboard over the districts' replicated day totals (gongzhi.city)."""
