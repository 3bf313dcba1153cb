// Input and Output: what a child reads, where its output goes.
#include "proctest/stdio.hpp"

namespace proctest {

Input Input::bytes(std::string data) { return {Kind::bytes, std::move(data), {}}; }
Input Input::file(std::filesystem::path path) { return {Kind::file, {}, std::move(path)}; }
Input Input::null() { return {Kind::null, {}, {}}; }
Input Input::pipe() { return {Kind::pipe, {}, {}}; }
Input Input::inherit() { return {Kind::inherit, {}, {}}; }

Output Output::capture() { return {Kind::capture, {}}; }
Output Output::null() { return {Kind::null, {}}; }
Output Output::inherit() { return {Kind::inherit, {}}; }
Output Output::file(std::filesystem::path path) { return {Kind::file, std::move(path)}; }
Output Output::merge() { return {Kind::merge, {}}; }

}  // namespace proctest
