-- The insight store and Rasa's trackers live in their own databases.
CREATE DATABASE insight OWNER cairn;
CREATE DATABASE rasa OWNER cairn;
