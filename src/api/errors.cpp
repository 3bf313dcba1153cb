// The error classes are header-only; this file keeps their vtables and
// typeinfo in one place so that exceptions thrown from the library and caught
// in a test binary compare equal.
#include "proctest/errors.hpp"
