-- The second half of the English lesson replay (tests/lua/test_lessons.lua replays one
-- lesson in two; this test the others), in its own session beside the first half.
LESSON_PART = 2
dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/test_lessons.lua")
