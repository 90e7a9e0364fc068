"""Vietnamese topics (accents may be dropped: words are folded before matching)."""

from bot.understanding.lexicon.topics import Topics

TOPICS = Topics(
    locale="vi",
    topics={
        "side_effects": (
            "tác dụng phụ", "phản ứng", "chóng mặt", "choáng", "buồn nôn", "=nôn", "=ói", "=nôn mửa",
            "đau đầu", "nhức đầu", "phát ban", "nổi mẩn", "mẩn đỏ", "ngứa", "mệt", "khó chịu",
            "đau bụng", "tiêu chảy", "táo bón", "buồn ngủ", "=sưng", "=ho nhiều", "triệu chứng", "không khỏe",
            "uống vào .. mệt|khó chịu|chóng mặt",
        ),
        "ran_out": ("hết thuốc", "hết rồi", "không còn thuốc", "hết sạch", "uống hết", "sắp hết",
                    "không còn viên nào", "còn .. viên", "=cạn thuốc"),
        "cost": ("tiền", "=đắt", "=mắc quá", "=mắc tiền", "=giá", "trả tiền", "không đủ tiền", "bảo hiểm", "chi phí",
                 "không có tiền", "tốn"),
        "transport": ("xe", "đi lại", "đưa đón", "=chở", "=xa", "không có xe", "xe buýt", "taxi",
                      "không ai chở", "đi không được", "làm sao đi"),
        "food": ("thức ăn", "đồ ăn", "thực phẩm", "ăn uống", "đói", "lương thực", "gạo", "cái ăn"),
        "housing": ("nhà ở", "chỗ ở", "tiền nhà", "thuê nhà", "vô gia cư", "không có nhà", "bị đuổi"),
        "medicines": ("thuốc", "nhà thuốc", "toa thuốc", "đơn thuốc", "tiệm thuốc"),
        "talk": ("nói chuyện", "tâm sự", "cô đơn", "=buồn", "trầm cảm", "lo âu", "căng thẳng"),
        "feel_better": ("khỏe hơn", "đỡ hơn", "đã khỏe", "hết bệnh", "khỏi bệnh", "đỡ rồi"),
        "other_doctor": ("bác sĩ khác", "phòng khám khác", "chỗ khác"),
        "call_me": ("=gọi", "điện thoại", "gọi điện"),
        "doing_well": ("khỏe", "tốt", "ổn", "bình thường", "khỏe re"),
        "feeling_awful": ("rất tệ", "tệ lắm", "tồi tệ", "kinh khủng", "rất mệt", "mệt lắm", "rất không khỏe"),
        "feeling_bad": ("tệ", "không khỏe", "không tốt", "mệt", "ốm", "bệnh", "không ổn"),
        "something_else": ("chuyện khác", "lý do khác", "khác"),
    },
    hedges=("chắc vậy", "chắc là", "có lẽ", "có thể", "để xem", "thử", "nếu được", "hy vọng"),
    negations=("chưa", "không được", "không thể", "không đi được", "để sau"),
    #: joiners let "1 and 2" read as two answers (asked back), not as a sentence
    frame=("và", "hoặc", "hay", "số", "chọn", "tôi chọn", "em chọn", "lựa chọn", "cái", "thứ", "ạ", "dạ", "nhé",
           "cảm ơn", "ok", "là"),
)
