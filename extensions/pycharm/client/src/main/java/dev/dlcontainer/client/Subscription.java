package dev.dlcontainer.client;

/** A listener's registration: closing it removes the listener. Closing twice does nothing. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
