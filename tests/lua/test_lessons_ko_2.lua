-- The second half of the Korean lesson replay (see tests/lua/test_lessons_ko.lua).
LESSON_LANGS = { "ko" }
LESSON_PART = 2
dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/test_lessons.lua")
