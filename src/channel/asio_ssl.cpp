// Asio's OpenSSL layer, compiled once (separate compilation, like core/asio_impl.cpp).
#include <boost/asio/ssl/impl/src.hpp>
