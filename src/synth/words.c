/*
 * words.c — a list of common English words.
 *
 * The synthesizer builds benign site names and dictionary-style DGA names
 * from it (real networks are full of word-made names, and so are some DGA
 * families), and the DGA trainer draws its dictionary-DGA examples from it.
 */
#include <stddef.h>

#include "sakimori/synth.h"

static const char *const words[] = {
    "able", "about", "above", "act", "add", "age", "air", "all", "also", "area", "arm", "art",
    "ask", "away", "baby", "back", "bad", "bag", "ball", "bank", "bar", "base", "bath", "bear",
    "beat", "bed", "best", "bet", "big", "bill", "bird", "bit", "black", "blue", "board",
    "boat", "body", "bone", "book", "born", "boss", "both", "box", "boy", "brain", "bread",
    "break", "bring", "brother", "brown", "build", "burn", "bus", "busy", "buy", "cake", "call",
    "calm", "camp", "can", "card", "care", "carry", "case", "cash", "cat", "catch", "cause",
    "cell", "chair", "chance", "change", "charge", "cheap", "check", "child", "choice", "city",
    "claim", "class", "clean", "clear", "climb", "clock", "close", "cloud", "club", "coach",
    "coast", "coat", "cold", "color", "come", "cook", "cool", "copy", "corn", "cost", "count",
    "court", "cover", "crash", "cream", "crew", "cross", "crowd", "cry", "cup", "cut", "dance",
    "dark", "data", "date", "day", "dead", "deal", "dear", "deep", "desk", "dinner", "dirt",
    "dish", "door", "down", "draft", "dream", "dress", "drink", "drive", "drop", "dry", "dust",
    "duty", "early", "earth", "east", "easy", "eat", "edge", "egg", "end", "energy", "enjoy",
    "enter", "equal", "even", "event", "exact", "exit", "eye", "face", "fact", "fair", "fall",
    "family", "far", "farm", "fast", "fat", "father", "fear", "feed", "feel", "field", "fight",
    "file", "fill", "film", "final", "find", "fine", "finger", "fire", "firm", "first", "fish",
    "fit", "flat", "flight", "floor", "flow", "fly", "focus", "fold", "food", "foot", "force",
    "form", "free", "fresh", "friend", "front", "fruit", "full", "fun", "game", "garden", "gas",
    "gate", "gift", "girl", "give", "glad", "glass", "goal", "gold", "good", "grand", "grass",
    "great", "green", "ground", "group", "grow", "guard", "guess", "guest", "guide", "gun",
    "hair", "half", "hall", "hand", "happy", "hard", "hat", "head", "health", "hear", "heart",
    "heat", "heavy", "help", "hero", "high", "hill", "hire", "hit", "hold", "hole", "home",
    "hope", "horse", "host", "hot", "hotel", "hour", "house", "huge", "human", "hunt", "idea",
    "image", "inch", "iron", "island", "item", "job", "join", "joke", "judge", "juice", "jump",
    "just", "keep", "key", "kick", "kid", "kind", "king", "kiss", "kitchen", "knee", "knife",
    "know", "lab", "lady", "lake", "land", "large", "last", "late", "laugh", "law", "lawn",
    "lead", "leaf", "learn", "leave", "left", "leg", "lemon", "level", "lie", "life", "lift",
    "light", "like", "limit", "line", "link", "lion", "list", "live", "load", "local", "lock",
    "long", "look", "lord", "loss", "love", "low", "luck", "lunch", "machine", "mail", "main",
    "major", "make", "man", "map", "mark", "market", "master", "match", "meal", "meat", "media",
    "meet", "member", "metal", "middle", "milk", "mind", "mine", "minute", "miss", "mix",
    "model", "money", "month", "moon", "more", "morning", "mother", "motor", "mount", "mouse",
    "mouth", "move", "movie", "music", "name", "nation", "near", "neck", "need", "net", "news",
    "night", "noise", "north", "nose", "note", "novel", "number", "nurse", "ocean", "offer",
    "office", "oil", "old", "open", "order", "other", "owner", "pace", "pack", "page", "paint",
    "pair", "paper", "park", "part", "party", "pass", "past", "path", "pay", "peace", "pen",
    "people", "pick", "piece", "pilot", "pink", "pipe", "place", "plan", "plant", "plate",
    "play", "point", "pool", "poor", "port", "post", "pound", "power", "press", "price",
    "print", "prize", "proof", "pull", "push", "queen", "quick", "quiet", "race", "radio",
    "rain", "range", "rate", "reach", "read", "ready", "real", "red", "rent", "rest", "rice",
    "rich", "ride", "right", "ring", "rise", "river", "road", "rock", "role", "roof", "room",
    "root", "rope", "rose", "round", "route", "rule", "run", "safe", "salt", "sand", "save",
    "scale", "scene", "school", "score", "sea", "season", "seat", "second", "secret", "see",
    "sell", "send", "sense", "serve", "set", "shape", "share", "ship", "shirt", "shoe", "shop",
    "shot", "show", "side", "sign", "silver", "simple", "sing", "sister", "site", "size",
    "skill", "skin", "sky", "sleep", "slide", "slow", "small", "smart", "smile", "smoke",
    "snow", "soft", "soil", "solid", "song", "sound", "south", "space", "speak", "speed",
    "spend", "spot", "spring", "square", "staff", "stage", "star", "start", "state", "station",
    "stay", "steel", "step", "stick", "stock", "stone", "stop", "store", "storm", "story",
    "street", "strong", "student", "study", "style", "sugar", "suit", "summer", "sun", "super",
    "sure", "sweet", "swim", "table", "tail", "take", "talk", "tall", "taste", "tax", "tea",
    "team", "tell", "term", "test", "text", "thank", "theory", "thing", "think", "ticket",
    "tie", "time", "tiny", "title", "today", "tone", "tool", "tooth", "top", "total", "touch",
    "tour", "town", "toy", "track", "trade", "train", "travel", "tree", "trip", "truck", "true",
    "trust", "try", "turn", "twin", "type", "uncle", "union", "unit", "upper", "usual",
    "valley", "value", "van", "video", "view", "village", "visit", "voice", "vote", "wait",
    "walk", "wall", "want", "war", "warm", "wash", "watch", "water", "wave", "way", "wealth",
    "wear", "weather", "week", "weight", "west", "wheel", "white", "whole", "wide", "wife",
    "wild", "will", "wind", "window", "wine", "wing", "winter", "wire", "wise", "wish", "woman",
    "wood", "word", "work", "world", "write", "yard", "year", "yellow", "young", "youth",
    "zone",
};

size_t sk_synth_nwords(void) { return sizeof words / sizeof words[0]; }

const char *sk_synth_word(size_t i) { return words[i % (sizeof words / sizeof words[0])]; }
