package dev.fanout.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * A blocking {@link Iterator} over a {@link Flow.Publisher}, with backpressure: it requests {@code prefetch}
 * items when first asked, then one more for each item taken, so at most {@code prefetch} items wait here
 * whatever the publisher holds. {@link #hasNext()} blocks until an item, the end or an error arrives; an
 * interrupt cancels the subscription and ends the iteration. The publisher's error is thrown from
 * {@code hasNext()} (unchecked as is, checked wrapped in {@link CompletionException}). {@link #close()}
 * cancels the subscription. One thread iterates at a time.
 */
public final class PublisherIterator<T> implements Iterator<T>, AutoCloseable {
  private final Flow.Publisher<? extends T> publisher;
  private final int prefetch;
  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private Flow.Subscription subscription;
  private boolean subscribed;
  private boolean completed;
  private Throwable error;
  private boolean closed;

  public PublisherIterator(Flow.Publisher<? extends T> publisher, int prefetch) {
    this.publisher = Objects.requireNonNull(publisher, "publisher == null");
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch < 1: " + prefetch);
    }
    this.prefetch = prefetch;
  }

  @Override
  public boolean hasNext() {
    subscribeOnce();
    synchronized (lock) {
      while (items.isEmpty() && !completed && error == null && !closed) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closeLocked();
          return false;
        }
      }
      if (!items.isEmpty()) {
        return true;
      }
      if (error != null && !closed) {
        Throwable e = error;
        if (e instanceof RuntimeException) {
          throw (RuntimeException) e;
        }
        if (e instanceof Error) {
          throw (Error) e;
        }
        throw new CompletionException("the publisher failed: " + e, e);
      }
      return false;
    }
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    T item;
    Flow.Subscription s;
    synchronized (lock) {
      item = items.poll();
      s = subscription;
    }
    if (s != null) {
      s.request(1);
    }
    return item;
  }

  @Override
  public void close() {
    synchronized (lock) {
      closeLocked();
    }
  }

  private void closeLocked() {
    if (closed) {
      return;
    }
    closed = true;
    items.clear();
    Flow.Subscription s = subscription;
    lock.notifyAll();
    if (s != null) {
      s.cancel();
    }
  }

  /** Subscribes to the publisher, once; {@link #hasNext()} does it if this was not called. */
  public void subscribe() {
    subscribeOnce();
  }

  private void subscribeOnce() {
    synchronized (lock) {
      if (subscribed) {
        return;
      }
      subscribed = true;
    }
    publisher.subscribe(new Flow.Subscriber<T>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        Objects.requireNonNull(s, "subscription == null");
        boolean cancel;
        synchronized (lock) {
          cancel = closed || subscription != null;
          if (!cancel) {
            subscription = s;
          }
        }
        if (cancel) {
          s.cancel();
        } else {
          s.request(prefetch);
        }
      }

      @Override
      public void onNext(T item) {
        synchronized (lock) {
          if (closed) {
            return;
          }
          if (item == null) {
            error = new NullPointerException("the publisher emitted null");
          } else {
            items.add(item);
          }
          lock.notifyAll();
        }
      }

      @Override
      public void onError(Throwable throwable) {
        synchronized (lock) {
          error = throwable == null ? new NullPointerException("onError(null)") : throwable;
          lock.notifyAll();
        }
      }

      @Override
      public void onComplete() {
        synchronized (lock) {
          completed = true;
          lock.notifyAll();
        }
      }
    });
  }
}
