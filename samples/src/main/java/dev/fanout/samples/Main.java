package dev.fanout.samples; final class Main { public static void main(String[] a) {} }
