"""Open311 error and status texts, Chinese first, English when the client asks for it
(Accept-Language: en). Kept here rather than in the gettext catalogue so the API's wording
is complete in both languages whatever the catalogue holds."""

from typing import Any

from gongzhi.cases.states import State

MESSAGES: dict[str, tuple[str, str]] = {
    "format": ("不支持的格式“%(fmt)s”，请用 json 或 xml", "Unsupported format '%(fmt)s': use json or xml"),
    "not_found": ("没有这个接口：%(path)s", "No such endpoint: %(path)s"),
    "method": ("该接口不支持 %(method)s 请求", "Method %(method)s is not allowed here"),
    "api_key": ("api_key 无效或已吊销", "Invalid or revoked api_key"),
    "service_code_missing": ("缺少 service_code", "service_code is required"),
    "service_code_unknown": ("未知的 service_code：%(code)s", "Unknown service_code: %(code)s"),
    "location_missing": (
        "请提供位置：lat 和 long、address_string 或 address_id",
        "A location is required: lat and long, address_string or address_id",
    ),
    "latlong_invalid": (
        "lat 和 long 须为有效的十进制经纬度（WGS84）",
        "lat and long must be valid decimal WGS84 coordinates",
    ),
    "outside": ("该位置不在%(street)s辖区内", "The location is outside %(street)s"),
    "outside_box": (
        "该位置不在%(street)s辖区内。%(street)s的中心约在纬度%(lat).5f、经度%(lon).5f，"
        "辖区范围：纬度%(south).5f至%(north).5f，经度%(west).5f至%(east).5f（WGS84）",
        "The location is outside %(street)s. Its centre is at about lat %(lat).5f, long %(lon).5f; "
        "it spans lat %(south).5f to %(north).5f and long %(west).5f to %(east).5f (WGS84)",
    ),
    "street": ("本街道", "this street"),
    "jurisdiction_missing": (
        "本平台服务多个街道，请提供 jurisdiction_id",
        "This endpoint serves several streets: jurisdiction_id is required",
    ),
    "jurisdiction_unknown": ("未知的 jurisdiction_id：%(id)s", "Unknown jurisdiction_id: %(id)s"),
    "address_unknown": ("找不到地址：%(text)s", "Address not found: %(text)s"),
    "address_id_unknown": ("未知的 address_id：%(id)s", "Unknown address_id: %(id)s"),
    "description_empty": ("请描述问题", "description is required"),
    "too_long": ("%(field)s 不能超过%(n)d个字符", "%(field)s must be at most %(n)d characters"),
    "media_url": ("media_url 须为 http 或 https 地址", "media_url must be an http or https URL"),
    "phone": ("phone 应为11位手机号，以1开头", "phone must be an 11-digit mobile number starting with 1"),
    "attribute_value": (
        "属性 %(code)s 的取值无效：%(value)s",
        "Invalid value for attribute %(code)s: %(value)s",
    ),
    "attribute_required": ("缺少必填属性 %(code)s", "Missing required attribute %(code)s"),
    "date_invalid": (
        "%(field)s 不是有效的日期时间（ISO 8601，如 2026-01-31T08:00:00+08:00）",
        "%(field)s is not a valid ISO 8601 datetime (e.g. 2026-01-31T08:00:00Z)",
    ),
    "date_order": ("start_date 须早于 end_date", "start_date must be before end_date"),
    "date_span": ("查询时间范围不能超过%(days)d天", "The date range may not span more than %(days)d days"),
    "status_invalid": ("status 只能是 open 或 closed：%(value)s", "status must be open or closed: %(value)s"),
    "rate_limited": (
        "请求过于频繁，请在%(seconds)d秒后再试（使用 api_key 可获得更高额度）",
        "Too many requests: try again in %(seconds)d seconds (an api_key gets a higher budget)",
    ),
    "too_many_ids": ("一次最多查询%(n)d个工单", "At most %(n)d service requests at once"),
    "request_unknown": ("没有编号为 %(id)s 的工单", "No service request %(id)s"),
    "token_unknown": ("没有这个 token：%(token)s", "Unknown token: %(token)s"),
    "nul": ("参数中含有不允许的字符", "A parameter contains a forbidden character"),
    "too_large": (
        "请求内容过大：Open311 提交的内容不能超过%(kb)d KB",
        "The request body is too large: an Open311 submission may be at most %(kb)d KB",
    ),
    "body": (
        "无法读取请求内容，请用表单编码（application/x-www-form-urlencoded）",
        "Unreadable request body: send it form-encoded",
    ),
    "withheld": ("涉及个人情况，内容不公开", "Not published: it concerns a person"),
    "pending": ("受理后公开问题内容", "Published once the report has been accepted"),
    "invalid": ("%(field)s：%(message)s", "%(field)s: %(message)s"),
    "notice": ("已受理，处置时限%(limit)s", "Received; to be handled within %(limit)s"),
    "notice_none": ("已受理，将尽快派遣处置", "Received; it will be dispatched shortly"),
    "merged_into": ("已并入工单 %(number)s", "Merged into service request %(number)s"),
    "hours": ("%(n)d个工作小时", "%(n)d working hours"),
    "days": ("%(n)d个工作日", "%(n)d working days"),
    "hour": ("%(n)d个工作小时", "%(n)d working hour"),
    "day": ("%(n)d个工作日", "%(n)d working day"),
    "service_description": (
        "%(group)s：%(name)s。处置时限%(limit)s",
        "%(group)s: %(name)s. Handled within %(limit)s",
    ),
    "attr_contact": ("是否需要回访", "Would you like a call back about the result?"),
    "attr_contact_hint": ("留了电话时可选择电话回访", "Choose phone if you gave a phone number"),
    "attr_contact_phone": ("电话回访", "Call me back"),
    "attr_contact_none": ("无需回访", "No call back"),
    "attr_building": (
        "楼栋或门牌号（可选，用于更准确地定位）",
        "Building or door number (optional, for a precise location)",
    ),
    "attr_building_hint": ("如：3号楼、100弄2号", "e.g. 3号楼 or 100弄2号"),
}

STATE_EN: dict[str, str] = {
    State.RECEIVED: "Received",
    State.REGISTERED: "Registered",
    State.DISPATCHED: "Dispatched",
    State.IN_PROGRESS: "In progress",
    State.AWAITING_VERIFICATION: "Awaiting verification",
    State.CLOSED: "Closed",
    State.RETURNED: "Returned to the dispatcher",
    State.PARKED: "Parked for long-term handling",
    State.MERGED: "Merged",
    State.VOID: "Void",
    State.ESCALATED: "Escalated",
}


def text(key: str, lang: str, **params: Any) -> str:
    zh, en = MESSAGES[key]
    template = en if lang == "en" else zh
    return template % params if params else template


def state_label(state: str, lang: str) -> str:
    return STATE_EN.get(state, state) if lang == "en" else str(State(state).label)
