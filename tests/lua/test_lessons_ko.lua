-- The Korean half of the lesson replay: tests/lua/test_lessons.lua in Korean, in its own
-- session (meson runs it beside the English half).
LESSON_LANGS = { "ko" }
dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/test_lessons.lua")
