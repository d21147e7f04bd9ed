package dev.fanout; final class Placeholder {}
