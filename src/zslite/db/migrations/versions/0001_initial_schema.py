"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 18:00:38.614308
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# Frozen copies of zslite.db.types as they were at this revision: code-point collation everywhere.
def _str(n):
    return (sa.String(n).with_variant(sa.String(n, collation="C"), "postgresql")
            .with_variant(mysql.VARCHAR(n, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"))


def _text():
    return sa.Text().with_variant(mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")


def _big():
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('password_hash', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_accounts_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('backup_storages',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('url', _str(2048), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('status', _str(32), nullable=False),
    sa.Column('total_capacity', _big(), nullable=False),
    sa.Column('available_capacity', _big(), nullable=False),
    sa.Column('hostname', _str(255), nullable=True),
    sa.Column('username', _str(255), nullable=True),
    sa.Column('ssh_port', sa.Integer(), nullable=True),
    sa.Column('fsid', _str(64), nullable=True),
    sa.Column('pool_name', _str(255), nullable=True),
    sa.Column('mons', _text(), nullable=True),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_backup_storages')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('images',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('status', _str(32), nullable=False),
    sa.Column('size', _big(), nullable=False),
    sa.Column('actual_size', _big(), nullable=False),
    sa.Column('md5_sum', _str(255), nullable=True),
    sa.Column('url', _str(2048), nullable=False),
    sa.Column('media_type', _str(32), nullable=False),
    sa.Column('guest_os_type', _str(255), nullable=True),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('platform', _str(32), nullable=False),
    sa.Column('format', _str(32), nullable=False),
    sa.Column('system', sa.Boolean(), nullable=False),
    sa.Column('architecture', _str(32), nullable=False),
    sa.Column('virtio', sa.Boolean(), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_images')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_images_name_uuid'), ['name', 'uuid'], unique=False)

    op.create_table('instance_offerings',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('cpu_num', sa.Integer(), nullable=False),
    sa.Column('cpu_speed', sa.Integer(), nullable=False),
    sa.Column('memory_size', _big(), nullable=False),
    sa.Column('allocator_strategy', _str(64), nullable=True),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_instance_offerings')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('jobs',
    sa.Column('api_name', _str(128), nullable=False),
    sa.Column('state', _str(16), nullable=False),
    sa.Column('account_uuid', _str(32), nullable=True),
    sa.Column('node', _str(255), nullable=False),
    sa.Column('with_schema', sa.Boolean(), nullable=False),
    sa.Column('webhook', _str(2048), nullable=True),
    sa.Column('result', _text(), nullable=True),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('finish_date', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('uuid', _str(32), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_jobs')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_state_node'), ['state', 'node'], unique=False)

    op.create_table('management_nodes',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('heartbeat', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_management_nodes')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('shared_resources',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('resource_uuid', _str(32), nullable=False),
    sa.Column('resource_type', _str(64), nullable=False),
    sa.Column('owner_account_uuid', _str(32), nullable=False),
    sa.Column('receiver_account_uuid', _str(32), nullable=False),
    sa.Column('to_public', sa.Boolean(), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_resources')),
    sa.UniqueConstraint('resource_uuid', 'receiver_account_uuid', 'to_public', name=op.f('uq_shared_resources_resource_uuid_receiver_account_uuid_to_public')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('shared_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_resources_receiver_account_uuid_resource_uuid'), ['receiver_account_uuid', 'resource_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_resources_to_public_resource_uuid'), ['to_public', 'resource_uuid'], unique=False)

    op.create_table('tags',
    sa.Column('kind', _str(16), nullable=False),
    sa.Column('resource_uuid', _str(32), nullable=False),
    sa.Column('resource_type', _str(64), nullable=False),
    sa.Column('tag', _str(512), nullable=False),
    sa.Column('inherent', sa.Boolean(), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_tags')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_kind_tag'), ['kind', 'tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_tags_resource_uuid_kind'), ['resource_uuid', 'kind'], unique=False)

    op.create_table('zones',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_zones')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('access_keys',
    sa.Column('account_uuid', _str(32), nullable=False),
    sa.Column('user_uuid', _str(32), nullable=False),
    sa.Column('key_id', _str(64), nullable=False),
    sa.Column('salt', _str(64), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_uuid'], ['accounts.uuid'], name=op.f('fk_access_keys_account_uuid_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_access_keys')),
    sa.UniqueConstraint('key_id', name=op.f('uq_access_keys_key_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_keys_account_uuid'), ['account_uuid'], unique=False)

    op.create_table('account_resource_refs',
    sa.Column('resource_uuid', _str(32), nullable=False),
    sa.Column('resource_type', _str(64), nullable=False),
    sa.Column('account_uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_uuid'], ['accounts.uuid'], name=op.f('fk_account_resource_refs_account_uuid_accounts')),
    sa.PrimaryKeyConstraint('resource_uuid', name=op.f('pk_account_resource_refs')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('account_resource_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_resource_refs_account_uuid_resource_type'), ['account_uuid', 'resource_type'], unique=False)

    op.create_table('backup_storage_zone_refs',
    sa.Column('backup_storage_uuid', _str(32), nullable=False),
    sa.Column('zone_uuid', _str(32), nullable=False),
    sa.ForeignKeyConstraint(['backup_storage_uuid'], ['backup_storages.uuid'], name=op.f('fk_backup_storage_zone_refs_backup_storage_uuid_backup_storages')),
    sa.ForeignKeyConstraint(['zone_uuid'], ['zones.uuid'], name=op.f('fk_backup_storage_zone_refs_zone_uuid_zones')),
    sa.PrimaryKeyConstraint('backup_storage_uuid', 'zone_uuid', name=op.f('pk_backup_storage_zone_refs')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('backup_storage_zone_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_backup_storage_zone_refs_zone_uuid'), ['zone_uuid'], unique=False)

    op.create_table('clusters',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('hypervisor_type', _str(32), nullable=False),
    sa.Column('zone_uuid', _str(32), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('architecture', _str(32), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['zone_uuid'], ['zones.uuid'], name=op.f('fk_clusters_zone_uuid_zones')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_clusters')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_zone_uuid'), ['zone_uuid'], unique=False)

    op.create_table('image_backup_storage_refs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('image_uuid', _str(32), nullable=False),
    sa.Column('backup_storage_uuid', _str(32), nullable=False),
    sa.Column('install_path', _str(2048), nullable=True),
    sa.Column('export_url', _str(2048), nullable=True),
    sa.Column('export_md5_sum', _str(255), nullable=True),
    sa.Column('status', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['backup_storage_uuid'], ['backup_storages.uuid'], name=op.f('fk_image_backup_storage_refs_backup_storage_uuid_backup_storages')),
    sa.ForeignKeyConstraint(['image_uuid'], ['images.uuid'], name=op.f('fk_image_backup_storage_refs_image_uuid_images')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_backup_storage_refs')),
    sa.UniqueConstraint('image_uuid', 'backup_storage_uuid', name=op.f('uq_image_backup_storage_refs_image_uuid_backup_storage_uuid')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('image_backup_storage_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_backup_storage_refs_backup_storage_uuid'), ['backup_storage_uuid'], unique=False)

    op.create_table('primary_storages',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('zone_uuid', _str(32), nullable=False),
    sa.Column('url', _str(2048), nullable=False),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('status', _str(32), nullable=False),
    sa.Column('mount_path', _str(2048), nullable=True),
    sa.Column('total_capacity', _big(), nullable=False),
    sa.Column('available_capacity', _big(), nullable=False),
    sa.Column('total_physical_capacity', _big(), nullable=False),
    sa.Column('available_physical_capacity', _big(), nullable=False),
    sa.Column('fsid', _str(64), nullable=True),
    sa.Column('mons', _text(), nullable=True),
    sa.Column('pools', _text(), nullable=True),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['zone_uuid'], ['zones.uuid'], name=op.f('fk_primary_storages_zone_uuid_zones')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_primary_storages')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('primary_storages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_primary_storages_zone_uuid'), ['zone_uuid'], unique=False)

    op.create_table('sessions',
    sa.Column('account_uuid', _str(32), nullable=False),
    sa.Column('user_uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_used', sa.DateTime(), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.ForeignKeyConstraint(['account_uuid'], ['accounts.uuid'], name=op.f('fk_sessions_account_uuid_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_sessions')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_account_uuid'), ['account_uuid'], unique=False)

    op.create_table('hosts',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('zone_uuid', _str(32), nullable=False),
    sa.Column('cluster_uuid', _str(32), nullable=False),
    sa.Column('management_ip', _str(255), nullable=False),
    sa.Column('hypervisor_type', _str(32), nullable=False),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('status', _str(32), nullable=False),
    sa.Column('architecture', _str(32), nullable=False),
    sa.Column('username', _str(255), nullable=True),
    sa.Column('ssh_port', sa.Integer(), nullable=False),
    sa.Column('total_cpu_capacity', _big(), nullable=False),
    sa.Column('available_cpu_capacity', _big(), nullable=False),
    sa.Column('cpu_sockets', sa.Integer(), nullable=False),
    sa.Column('cpu_num', sa.Integer(), nullable=False),
    sa.Column('total_memory_capacity', _big(), nullable=False),
    sa.Column('available_memory_capacity', _big(), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_uuid'], ['clusters.uuid'], name=op.f('fk_hosts_cluster_uuid_clusters')),
    sa.ForeignKeyConstraint(['zone_uuid'], ['zones.uuid'], name=op.f('fk_hosts_zone_uuid_zones')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_hosts')),
    sa.UniqueConstraint('management_ip', name=op.f('uq_hosts_management_ip')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hosts_cluster_uuid'), ['cluster_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_hosts_zone_uuid'), ['zone_uuid'], unique=False)

    op.create_table('primary_storage_cluster_refs',
    sa.Column('primary_storage_uuid', _str(32), nullable=False),
    sa.Column('cluster_uuid', _str(32), nullable=False),
    sa.ForeignKeyConstraint(['cluster_uuid'], ['clusters.uuid'], name=op.f('fk_primary_storage_cluster_refs_cluster_uuid_clusters')),
    sa.ForeignKeyConstraint(['primary_storage_uuid'], ['primary_storages.uuid'], name=op.f('fk_primary_storage_cluster_refs_primary_storage_uuid_primary_storages')),
    sa.PrimaryKeyConstraint('primary_storage_uuid', 'cluster_uuid', name=op.f('pk_primary_storage_cluster_refs')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('primary_storage_cluster_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_primary_storage_cluster_refs_cluster_uuid'), ['cluster_uuid'], unique=False)

    op.create_table('volumes',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('primary_storage_uuid', _str(32), nullable=True),
    sa.Column('vm_instance_uuid', _str(32), nullable=True),
    sa.Column('disk_offering_uuid', _str(32), nullable=True),
    sa.Column('root_image_uuid', _str(32), nullable=True),
    sa.Column('install_path', _str(2048), nullable=True),
    sa.Column('type', _str(16), nullable=False),
    sa.Column('format', _str(32), nullable=True),
    sa.Column('size', _big(), nullable=False),
    sa.Column('actual_size', _big(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('status', _str(32), nullable=False),
    sa.Column('is_shareable', sa.Boolean(), nullable=False),
    sa.Column('host_uuid', _str(32), nullable=True),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['primary_storage_uuid'], ['primary_storages.uuid'], name=op.f('fk_volumes_primary_storage_uuid_primary_storages')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_volumes')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('volumes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volumes_primary_storage_uuid'), ['primary_storage_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_volumes_vm_instance_uuid'), ['vm_instance_uuid'], unique=False)

    op.create_table('vm_instances',
    sa.Column('name', _str(255), nullable=False),
    sa.Column('description', _str(2048), nullable=True),
    sa.Column('zone_uuid', _str(32), nullable=True),
    sa.Column('cluster_uuid', _str(32), nullable=True),
    sa.Column('image_uuid', _str(32), nullable=True),
    sa.Column('host_uuid', _str(32), nullable=True),
    sa.Column('last_host_uuid', _str(32), nullable=True),
    sa.Column('instance_offering_uuid', _str(32), nullable=True),
    sa.Column('root_volume_uuid', _str(32), nullable=True),
    sa.Column('platform', _str(32), nullable=True),
    sa.Column('guest_os_type', _str(255), nullable=True),
    sa.Column('architecture', _str(32), nullable=True),
    sa.Column('default_l3_network_uuid', _str(32), nullable=True),
    sa.Column('type', _str(32), nullable=False),
    sa.Column('hypervisor_type', _str(32), nullable=True),
    sa.Column('memory_size', _big(), nullable=False),
    sa.Column('cpu_num', sa.Integer(), nullable=False),
    sa.Column('cpu_speed', sa.Integer(), nullable=False),
    sa.Column('allocator_strategy', _str(64), nullable=True),
    sa.Column('state', _str(32), nullable=False),
    sa.Column('uuid', _str(32), nullable=False),
    sa.Column('create_date', sa.DateTime(), nullable=False),
    sa.Column('last_op_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_uuid'], ['clusters.uuid'], name=op.f('fk_vm_instances_cluster_uuid_clusters')),
    sa.ForeignKeyConstraint(['host_uuid'], ['hosts.uuid'], name=op.f('fk_vm_instances_host_uuid_hosts')),
    sa.ForeignKeyConstraint(['zone_uuid'], ['zones.uuid'], name=op.f('fk_vm_instances_zone_uuid_zones')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_vm_instances')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('vm_instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vm_instances_cluster_uuid'), ['cluster_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_vm_instances_host_uuid'), ['host_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_vm_instances_image_uuid'), ['image_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_vm_instances_zone_uuid'), ['zone_uuid'], unique=False)



def downgrade() -> None:
    # dropping a table drops its indexes
    op.drop_table('vm_instances')
    op.drop_table('volumes')
    op.drop_table('primary_storage_cluster_refs')
    op.drop_table('hosts')
    op.drop_table('sessions')
    op.drop_table('primary_storages')
    op.drop_table('image_backup_storage_refs')
    op.drop_table('clusters')
    op.drop_table('backup_storage_zone_refs')
    op.drop_table('account_resource_refs')
    op.drop_table('access_keys')
    op.drop_table('zones')
    op.drop_table('tags')
    op.drop_table('shared_resources')
    op.drop_table('management_nodes')
    op.drop_table('jobs')
    op.drop_table('instance_offerings')
    op.drop_table('images')
    op.drop_table('backup_storages')
    op.drop_table('accounts')
