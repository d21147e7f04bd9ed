package dev.fanout.mock; final class MockServerMain { public static void main(String[] a) {} }
