//! segql-run
