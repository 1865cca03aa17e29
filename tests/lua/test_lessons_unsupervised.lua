-- The replay of the lesson `unsupervised` in both languages (an autoencoder, a VAE and a GAN
-- trained in each replay), in a session of its own beside tests/lua/test_lessons.lua and
-- test_lessons_ko.lua, which leave it out (their OWN list).
LESSON_LANGS = { "en", "ko" }
LESSON_ONLY = { "unsupervised" }
dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/test_lessons.lua")
