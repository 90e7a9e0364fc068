"""Vietnamese crisis and consent phrases by meaning (accents folded unless a pattern starts
with ``=``)."""

from bot.understanding.lexicon.meaning import HOURS, MANY, Meanings

MEANINGS = Meanings(
    urgent={
        "wish_dead": (
            "ước+gì|ước|mong .. không tỉnh|thức|dậy", "không có tôi .. tốt hơn", "không muốn sống",
            "chết quách", "chết cho xong", "chết đi cho xong", "sống .. chẳng|không còn? ý nghĩa",
            "muốn biến mất", "thà chết", "mệt mỏi với cuộc sống", "chán sống", "ngủ .. không dậy|tỉnh nữa", "ngủ luôn", "tốt hơn .. không có tôi",
        ),
        "suicidal_thoughts": (
            "=tự tử", "tự sát", "kết thúc .. tất+cả|cuộc+đời|mọi+thứ|đời", "nghĩ .. đến|tới .. chết|tự+tử|kết+thúc",
            "muốn chết", "giết bản+thân|chính+mình",
        ),
        "method": ("treo cổ", "dây thừng", "nhảy cầu|lầu|sông", "cắt .. cổ tay|tay",
                   "thuốc ngủ .. hết|cả+lọ|để+chết"),
        "intent_plan": ("kế hoạch .. tự tử|chết", "tối+nay|hôm+nay|ngày+mai .. nhảy|chết|treo|tự+tử"),
        "goodbye": ("vĩnh biệt", "viết thư .. các+con|gia+đình|con", "không cần thuốc nữa",
                    "cảm ơn .. tất+cả|mọi+người .. vĩnh biệt", "lời trăng trối"),
        "overdose_poisoning": (
            f"uống|nuốt .. {MANY} .. viên|thuốc", "uống|nuốt .. hết|cả .. lọ|vỉ|hộp|thuốc",
            "uống .. thuốc+trừ+sâu|thuốc+tẩy|thuốc+chuột|chất+tẩy|nước+tẩy|thuốc+độc|nước+javel",
            "ngộ độc", "quá liều",
        ),
        "breathing": ("không thở được", "môi .. tím|xanh", "không thở nổi"),
        "chest_pain": ("đau ngực .. tay+trái|dữ+dội", "mồ hôi lạnh"),
        "stroke": ("méo miệng|mặt", "nói không rõ"),
        "bleeding": ("chảy máu .. nhiều|không+cầm|không+ngừng", "máu .. không+cầm|không+ngừng|nhiều+quá"),
        "fainting": ("ngất xỉu", "không tỉnh", "bất tỉnh", "ngất"),
        "violence": ("dọa giết", "sẽ giết tôi", "giết tôi", "đánh tôi"),
    },
    concern=(
        "dại dột", "mệt mỏi", "chẳng còn ý nghĩa", "không còn ý nghĩa", "tuyệt vọng", "trầm cảm",
        "bỏ cuộc", "chịu được bao lâu", "chịu nổi", "chóng mặt", "ném đồ", "nổi giận", "buồn lắm",
        "rất buồn", "không ăn được",
    ),
    not_urgent=(
        "danh sách",
        "cười .. chết", "chết .. cười", "tò mò chết", "đau chết", "buồn ngủ chết", "nhớ .. chết mất",
        "đói chết", "nóng chết", "mệt chết|muốn+chết", "cây .. chết", "hết pin", "giết thời gian",
        "chơi game .. giết", "bị giết hoài",
    ),
    revoke=(
        "đừng .. nhắn|gửi|liên+lạc .. nữa", "xóa .. số|tôi .. danh sách", "xóa số", "không muốn nhận",
        "ngừng .. gửi|nhắn", "hủy đăng ký", "để tôi yên", "bỏ tôi ra khỏi danh sách", "dung nhan tin",
        "thôi đừng gửi",
    ),
    wrong_number=("nhầm số", "không phải số", "sai số", "nhắn nhầm người", "không phải cô+ấy|anh+ấy|bà+ấy|ông+ấy",
                  "không có ai tên", "không biết bệnh nhân"),
    preference={
        "time": (f"sau|trước .. {HOURS}", f"{HOURS} giờ", "buổi+sáng|buổi+tối|buổi+chiều|ban+đêm",
                 "giờ làm việc", "đang làm", "tan làm"),
        "channel": ("gọi điện", "gọi cho tôi", "thay vì nhắn", "nhắn|gửi .. cho|vào .. con+gái|con+trai|con|vợ|chồng|điện+thoại"),
        "content": ("nhắc .. lấy thuốc|nhở|nhắc", "giữ lời nhắc", "bản+tin|khảo+sát", "đừng ngừng|dừng .. nhắc"),
    },
    call=("gọi",),
    contact=("nhắn|gửi|gọi|nhắc",),
    morning=("sáng",), afternoon=("chiều",), evening=("tối", "đêm"),
    after=("sau",), before=("trước",),
)
