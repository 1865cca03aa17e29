#!/usr/bin/python3
"""Every Korean text of nabla follows docs/glossary.ko.md: the lessons, the messages and help
of lua/, the C op tables' Korean help in src/, docs/*.md, the web pages (web/), the Jupyter
kernel's texts and the tools. This test fails on
  - a banned variant of the glossary (경사 노름, 최적화기, 훈련 세트, 예제, 시끄러운 ...),
  - a fixed particle after a filled-in name or number (`%s를`, `%d이`, `{name}은`,
    `.. name .. "로"`): the right particle depends on the value; use 을(를), 이(가) or rephrase,
  - an English semicolon in a Korean sentence, and chained colons ("A: B: C").
Usage: korean_text.py SOURCE_DIR        (korean_text.py --self-test checks the rules catch)"""
import os
import re
import sys

HANGUL = re.compile(r"[가-힣]")

# banned variant -> what the glossary says instead
BANNED = [
    (r"경사(?!\s*하강)", "기울기 (경사는 '경사 하강법'에만)"),
    (r"기울기 하강법", "경사 하강법"),
    (r"기울기 자르기", "기울기 클리핑"),
    (r"폭주", "기울기 폭발 (폭발합니다)"),
    (r"최적화기", "옵티마이저"),
    (r"매개\s?변수", "파라미터"),
    (r"훈련", "학습 (학습 세트, 학습 손실, 학습 정확도)"),
    (r"시험 세트", "테스트 세트"),
    (r"데이터 세트", "데이터셋"),
    (r"예제", "샘플 (코드는 '예시')"),
    (r"퍼센트\s?포인트|(?<![가-힣])(?:\d|%[-\d.]*[dfgs])\s?포인트", "%p"),
    (r"부르세요|불러 주세요|부릅니다|(?<![가-힣])(?<!라 )(?<!라고 )(?:부르[면고기는지거]|불러야|불러 )", "호출하세요 / 호출합니다 (이름을 붙일 때의 '~라 부르는'은 괜찮음)"),
    (r"에포크", "에폭"),
    (r"(?:\d|%[-\d.]*[dfgs]|\})에폭", "숫자와 에폭 사이 한 칸: '30 에폭'"),
    (r"보폭", "스텝 크기 / 스트라이드"),
    (r"완전\s?합성곱", "All-Convolutional Net (완전 합성곱 신경망은 FCN)"),
    (r"시끄러", "노이즈가 많은"),
    (r"잽니다|잼(?![가-힣])|잰다|재 ?보세요|재세요|잽시다|잴 수|(?<![가-힣])(?:잰|재는|재서|재고|재면|잴|재기|재므로)(?![가-힣])|재 ?봅시다|(?<![가-힣])재기를", "측정합니다"),
    (r"손잡이", "설정값 / 하이퍼파라미터"),
    (r"(?:약한|강한|변형된|두|증강된|여러) 보기", "증강된 이미지 / 변형본"),
    (r"역전달|백프롭", "역전파"),
    (r"연쇄법칙|체인\s?룰", "연쇄 법칙"),
    (r"손실함수", "손실 함수"),
    (r"학습 속도|러닝\s?레이트", "학습률"),
    (r"과대적합|오버피팅", "과적합"),
    (r"미니 배치", "미니배치"),
    (r"바이어스", "편향"),
    (r"활성 함수", "활성화 함수"),
    (r"레이어|계층", "층"),
    (r"은닉 층", "은닉층"),
    (r"컨볼루션|컨벌루션", "합성곱"),
    (r"특징", "특성 (feature), 특성 맵, 특성 추출기"),
    (r"크로스\s?엔트로피", "교차 엔트로피"),
    (r"라벨", "레이블"),
    (r"지역 최[솟소]", "국소 최솟값"),
    (r"스킵 연결", "잔차 연결"),
    (r"파인\s?튜닝", "미세 조정"),
    (r"잡음", "노이즈"),
    (r"웨이트", "가중치"),
]
BANNED = [(re.compile(p), fix) for p, fix in BANNED]

# a value filled in at run time: printf/Lua format codes, {name} and ${expr} templates
PLACEHOLDER = r"(?:%[-+ #0]*\d*(?:\.\d+)?[sdifgqxXc]|\$?\{[A-Za-z_][\w.]*\})"
PARTICLE = r"(?:을|를|이|가|은|는|과|와|으로|로)(?![가-힣(])"
# (a value in parentheses is skipped when read: "손실(%.4f)은" is right; "loss[%d]는" is not)
FIXED_PARTICLE = re.compile(PLACEHOLDER + r"[`'\"’”\]」]*" + PARTICLE)
# "..." .. name .. "를 ...": a literal that starts with a particle right after a concatenation
CONCAT_PARTICLE = re.compile(r"(?:\.\.|\s\+)\s*([\"'`])" + PARTICLE)

LUA_STRING = re.compile(r"""--\[(=*)\[.*?\]\1\]|--[^\n]*|\[(=*)\[(.*?)\]\2\]|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""", re.S)
C_STRING = re.compile(r"""/\*.*?\*/|//[^\n]*|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`""", re.S)
PY_STRING = re.compile(r"""#[^\n]*|\"\"\"(.*?)\"\"\"|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""", re.S)


def segments(path, text):
    """(line number, Korean text) pieces of a file: its string literals (code) or its lines
    outside code blocks (Markdown, HTML)."""
    ext = os.path.splitext(path)[1]
    if ext == ".lua":
        rx = LUA_STRING
    elif ext in (".c", ".h", ".js"):
        rx = C_STRING
    elif ext == ".py":
        rx = PY_STRING
    else:
        rx = None
    out = []
    if rx is None:
        fence = False
        for n, line in enumerate(text.split("\n"), 1):
            if line.lstrip().startswith("```"):
                fence = not fence
                continue
            if not fence and HANGUL.search(line):
                out.append((n, line))
        return out
    for m in rx.finditer(text):
        bodies = (m.group(3), m.group(4), m.group(5)) if rx is LUA_STRING else m.groups()
        body = next((g for g in bodies if g is not None), None)   # None: a comment
        if body is None or not HANGUL.search(body):
            continue
        start = text.count("\n", 0, m.start()) + 1
        for k, line in enumerate(body.split("\n")):
            if HANGUL.search(line):
                out.append((start + k, line))
    return out


def is_korean(line):
    """a Korean sentence, not an English one quoting a Korean word ("한 → ᄒ ᅡ ᆫ; about 70 jamo")"""
    prose = re.sub(r"`[^`]*`", "", line)
    hangul = len(HANGUL.findall(prose))
    latin = len(re.findall(r"[A-Za-z]", prose))
    return hangul >= 2 and 3 * hangul >= latin


def sentence_problems(line):
    """English semicolons and chained colons in one Korean line (code spans left out)."""
    probs = []
    prose = re.sub(r"`[^`]*`", "`…`", line)
    prose = re.sub(r"\w+://\S+", "URL", prose)
    # a table's cells are set apart by two spaces: a cell without Korean is code
    cells = [c for c in re.split(r"\s{2,}", prose) if HANGUL.search(c)]
    def korean_semicolon(c):
        c = re.sub(r"&\w+;", "", c)
        # in a Korean sentence, or right after a Korean word ("나눕니다; train, ...")
        return ";" in c and (is_korean(c) or re.search(r"[가-힣][\s)\]'\"]*;", c))
    if any(korean_semicolon(c) for c in cells):
        probs.append("English semicolon ';' in a Korean sentence: end the sentence, or join with ~고/~지만")
    # sentences end at . ? ! followed by a space or the end; an op-name prefix "name: " is not
    # part of the sentence (errors name the op)
    body = re.sub(r"^\s*[\w.:()\"'-]*\w[\w.()\"'-]*:\s", "", prose) if re.match(r"^\s*[A-Za-z_][\w.()\"'-]*:\s", prose) else prose
    for sentence in re.split(r"[.?!。](?:\s|$)|\\n", body) if is_korean(prose) else []:
        # colons inside parentheses label values: "(B = 16: 0.3, B = 256: 0.4)"
        colons = re.findall(r":(?=\s|$)", re.sub(r"\([^()]*\)", "", sentence))
        if len(colons) >= 2 and HANGUL.search(sentence):
            probs.append("chained colons in one sentence ('A: B: C'): use one, end the sentence or rephrase")
            break
    return probs


def check_text(path, text):
    problems = []
    for n, line in segments(path, text):
        for rx, fix in BANNED:
            m = rx.search(line)
            if m:
                problems.append((n, f"'{m.group(0)}' -> {fix}", line))
        m = FIXED_PARTICLE.search(line)
        if m:
            problems.append((n, f"fixed particle after a filled-in value '{m.group(0)}': "
                                "use 을(를)/이(가)/은(는)/(으)로/과(와) or rephrase", line))
        for p in sentence_problems(line):
            problems.append((n, p, line))
    # particles after a concatenated value are seen in the code itself
    if path.endswith((".lua", ".js")):
        for n, line in enumerate(text.split("\n"), 1):
            m = CONCAT_PARTICLE.search(line)
            if m and HANGUL.search(line):
                problems.append((n, f"fixed particle after a concatenated value '{m.group(0)}': "
                                    "use 을(를)/이(가) or rephrase", line))
    return problems


def files(root):
    want = []
    for top in ("lessons", "lua", "src", "web", "jupyter", "tools", "experiments", "docs"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if name.endswith((".lua", ".c", ".h", ".js", ".html", ".py", ".md")):
                    want.append(os.path.join(dirpath, name))
    want.append(os.path.join(root, "README.md"))
    # the glossary quotes the banned variants on purpose
    return sorted(f for f in want if not f.endswith("glossary.ko.md") and os.path.exists(f))


def self_test():
    bad = {
        "a.lua": ['local s = { ko = "경사 노름을 보세요" }', 'x = "최적화기"', 'x = "훈련 세트"',
                  'x = "예제마다"', 'x = "시끄러운 기울기"', 'x = "보폭이 있는 합성곱"',
                  'x = "완전 합성곱 신경망"', 'x = "시간을 잽니다"', 'x = "(%s를 보세요)"',
                  'x = ("%d이 큽니다")', 'x = "{name}은 없습니다"', 'x = "값" .. v .. "를 보세요"',
                  'x = "기울기가 큽니다; 그래서"', 'x = "검사: 값: 틀림"', 'x = "무작위로 나눕니다; train, val = data.split(ds, {5000}, {seed=1}) holds out"', 'x = "3포인트 올랐다"',
                  'x = "10에폭"', 'x = "backward()를 부르세요"', 'x = "step()을 부르기 전에"', 'x = "기울기 폭주"'],
        "b.js": ["const t = { ko: '%s로 바꿉니다' };", "const t = `${name}를 지웁니다`;"],
        "c.md": ["매개변수를 바꿉니다.", "경사 클리핑"],
    }
    good = {
        "a.lua": ['x = "경사 하강법과 확률적 경사 하강법"', 'x = "%s을(를) 보세요"', 'x = "%d개의 샘플"',
                  'x = "%d 에폭"', 'x = "lesson: 레슨이 없습니다: lessons()로 보세요"',
                  'x = "`a = 1; b = 2`를 입력하세요"', 'x = "2.8%p 올랐습니다"', 'x = "%d가지"',
                  'x = "%s의 기울기"', '-- 경사 (a comment is not a text)', 'x = "%d이면 됩니다"',
                  'x = "(으)로: %s(으)로 바꿉니다"', 'x = "손실(%.4f)은 큽니다"',
                  'x = "  x = randn(2, 3); x          식을 입력하면 값을 보여 줍니다"',
                  'x = "덧셈 \\"+\\"가 기울기를 전달합니다"',
                  'x = "흔히 정규화 효과라 부르는 것"', 'x = "이것을 잔차라고 부르기도 합니다"',
                  'x = "두 손실은 비슷합니다 (B = 16: %.4f, B = 256: %.4f)"'],
        "c.md": ["```", "경사 노름 in a code block", "```", "기울기 노름을 봅니다.",
                 "splits a syllable into its jamo (한 → ᄒ ᅡ ᆫ; about 70 jamo instead of 700 syllables)"],
    }
    failures = 0
    for path, lines in bad.items():
        for line in lines:
            if not check_text(path, line + "\n"):
                print(f"self-test: not caught in {path}: {line}")
                failures += 1
    for path, lines in good.items():
        text = "\n".join(lines) + "\n"
        probs = check_text(path, text)
        for n, what, line in probs:
            print(f"self-test: wrongly flagged in {path}:{n}: {what}: {line}")
            failures += 1
    return failures


def main():
    failures = self_test()
    if "--self-test" in sys.argv:
        print("self-test:", "ok" if not failures else f"{failures} failures")
        return 1 if failures else 0
    root = next((a for a in sys.argv[1:] if not a.startswith("--")), ".")
    count, checked = 0, 0
    for f in files(root):
        text = open(f, encoding="utf-8", errors="replace").read()
        if not HANGUL.search(text):
            continue
        checked += 1
        for n, what, line in check_text(f, text):
            print(f"{os.path.relpath(f, root)}:{n}: {what}\n    {line.strip()[:160]}")
            count += 1
    print(f"{checked} files with Korean text, {count} problems, self-test "
          f"{'ok' if not failures else 'FAILED'}")
    return 1 if count or failures or checked < 20 else 0


if __name__ == "__main__":
    sys.exit(main())
