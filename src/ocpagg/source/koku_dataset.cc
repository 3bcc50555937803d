#include "ocpagg/source/koku_dataset.h"

#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/path_util.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "ocpagg/koku/layout.h"

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

Result<std::string> DetectAccount(arrow::fs::FileSystem& fs, const std::string& root) {
  const std::string accounts_dir = ParquetRoot(root, /*daily=*/true);
  arrow::fs::FileSelector selector;
  selector.base_dir = accounts_dir;
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto infos, fs.GetFileInfo(selector));
  std::vector<std::string> accounts;
  for (const auto& info : infos) {
    if (info.IsDirectory()) accounts.push_back(info.base_name());
  }
  if (accounts.size() == 1) return accounts[0];
  if (accounts.empty()) {
    return UsageError("no koku data under {}: expected {}/<account>/OCP/...", accounts_dir,
                      accounts_dir);
  }
  std::sort(accounts.begin(), accounts.end());
  return UsageError("several accounts under {} ({}): choose one with --account", accounts_dir,
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
  if (location.account.empty()) {
    ARROW_ASSIGN_OR_RAISE(out.account, DetectAccount(*out.fs, root));
  } else {
    out.account = location.account;
  }
  for (int t = 0; t < kInputTableCount; ++t) {
    const KokuTable table = TableOf(static_cast<InputTable>(t));
    const KokuPartition partition{out.account, table.type, location.source_uuid, location.year,
                                  location.month};
    ARROW_ASSIGN_OR_RAISE(out.files[t],
                          ListParquet(*out.fs, PartitionDir(root, partition, table.daily)));
  }
  return out;
}

}  // namespace ocpagg
