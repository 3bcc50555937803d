#include "ocpagg/source/koku_dataset.h"

#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/path_util.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace ocpagg {
namespace {

Result<std::vector<std::string>> ListParquet(arrow::fs::FileSystem& fs, const std::string& dir) {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir;
  selector.allow_not_found = true;
  selector.recursive = false;
  ARROW_ASSIGN_OR_RAISE(auto infos, fs.GetFileInfo(selector));
  std::vector<std::string> out;
  for (const auto& info : infos) {
    if (info.IsFile() && info.extension() == "parquet") out.push_back(info.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> DetectAccount(arrow::fs::FileSystem& fs, const std::string& parquet_root) {
  arrow::fs::FileSelector selector;
  selector.base_dir = parquet_root + "/daily";
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto infos, fs.GetFileInfo(selector));
  std::vector<std::string> accounts;
  for (const auto& info : infos) {
    if (info.IsDirectory()) accounts.push_back(info.base_name());
  }
  if (accounts.size() == 1) return accounts[0];
  if (accounts.empty()) {
    return UsageError("no koku data under {}/daily: expected {}/daily/<account>/OCP/...",
                      parquet_root, parquet_root);
  }
  std::sort(accounts.begin(), accounts.end());
  return UsageError("several accounts under {}/daily ({}): choose one with --account", parquet_root,
                    fmt::join(accounts, ", "));
}

}  // namespace

Result<DatasetFiles> DiscoverDataset(const DatasetLocation& location) {
  DatasetFiles out;
  std::string root;
  // Plain paths may be relative; Arrow wants local paths absolute.
  std::string uri_or_path = location.root;
  if (uri_or_path.find("://") == std::string::npos) {
    uri_or_path = std::filesystem::absolute(uri_or_path).lexically_normal().string();
  }
  auto fs = arrow::fs::FileSystemFromUriOrPath(uri_or_path, &root);
  if (!fs.ok()) {
    return UsageError("cannot open input {}: {}", location.root, fs.status().message());
  }
  out.fs = *fs;
  ARROW_ASSIGN_OR_RAISE(auto root_info, out.fs->GetFileInfo(root));
  if (root_info.type() == arrow::fs::FileType::NotFound) {
    return UsageError("input {} does not exist", location.root);
  }
  std::string parquet_root = root.empty() ? "data/parquet" : root + "/data/parquet";
  if (location.account.empty()) {
    ARROW_ASSIGN_OR_RAISE(out.account, DetectAccount(*out.fs, parquet_root));
  } else {
    out.account = location.account;
  }
  for (int t = 0; t < kInputTableCount; ++t) {
    auto table = static_cast<InputTable>(t);
    std::string dir = fmt::format("{}{}/{}/OCP/{}/source={}/year={:04d}/month={:02d}", parquet_root,
                                  IsDaily(table) ? "/daily" : "", out.account,
                                  ReportTypeName(ReportTypeOf(table)), location.source_uuid,
                                  location.year, location.month);
    ARROW_ASSIGN_OR_RAISE(out.files[t], ListParquet(*out.fs, dir));
  }
  return out;
}

}  // namespace ocpagg
