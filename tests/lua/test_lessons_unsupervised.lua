-- The replay of the lesson `unsupervised` in English (an autoencoder, a VAE and a GAN trained
-- in each replay), in a session of its own beside tests/lua/test_lessons.lua, which leaves it
-- out (its OWN list); test_lessons_unsupervised_ko.lua is the Korean half (a quiz answered in
-- one session stays answered: each language needs a fresh one).
LESSON_LANGS = { "en" }
LESSON_ONLY = { "unsupervised" }
dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/test_lessons.lua")
