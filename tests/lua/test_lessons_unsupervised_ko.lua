-- The Korean half of tests/lua/test_lessons_unsupervised.lua, in its own session.
LESSON_LANGS = { "ko" }
LESSON_ONLY = { "unsupervised" }
dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/test_lessons.lua")
