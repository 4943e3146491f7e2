"""The server layer: a Flask app, one blueprint per vendor, answering from a World.
Uses the contract and world layers; nothing below imports it."""
