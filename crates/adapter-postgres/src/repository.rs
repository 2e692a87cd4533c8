//! The generic half of every aggregate's repository: reads by id and by filter, writes as
//! one-write units of work. Each aggregate's file invokes [`repository!`] with its row,
//! table and list query.

/// Implements [`Repository`] for one aggregate: reads here, writes as a one-write unit of
/// work (with the audit record and the outbox event, in one transaction).
macro_rules! repository {
    ($entity:ty, $row:ty, $table:ident, $list:ident) => {
        // the names the impl needs, in a scope of its own
        const _: () = {
            use async_trait::async_trait;
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            use tisseco_application::ports::{
                AuditContext, Entity, PageRequest, RepoError, Repository,
            };
            use tisseco_application::unit_of_work::{UnitOfWork, Work};
            use uuid::Uuid;
            use $crate::errors::from_diesel;
            use $crate::store::PgStore;

            #[async_trait]
            impl Repository<$entity> for PgStore {
                async fn find(
                    &self,
                    id: <$entity as Entity>::Id,
                ) -> Result<Option<$entity>, RepoError> {
                    let mut conn = self.conn().await?;
                    let row: Option<$row> = $table::table
                        .find(Uuid::from(id))
                        .select(<$row>::as_select())
                        .get_result(&mut conn)
                        .await
                        .optional()
                        .map_err(from_diesel)?;
                    row.map(<$entity>::try_from).transpose()
                }

                async fn list(
                    &self,
                    filter: &<$entity as Entity>::Filter,
                    page: PageRequest<<$entity as Entity>::Id>,
                ) -> Result<Vec<$entity>, RepoError> {
                    let mut conn = self.conn().await?;
                    let rows = $list(&mut conn, filter, page).await.map_err(from_diesel)?;
                    rows.into_iter().map(<$entity>::try_from).collect()
                }

                async fn insert(
                    &self,
                    entity: &$entity,
                    context: &AuditContext,
                ) -> Result<(), RepoError> {
                    let mut work = Work::new(context.clone());
                    work.insert(entity)?;
                    self.commit(work).await.map(drop)
                }

                async fn update(
                    &self,
                    before: &$entity,
                    after: &$entity,
                    action: &'static str,
                    context: &AuditContext,
                ) -> Result<(), RepoError> {
                    let mut work = Work::new(context.clone());
                    work.update(before, after, action)?;
                    self.commit(work).await.map(drop)
                }
            }
        };
    };
}

pub(crate) use repository;
